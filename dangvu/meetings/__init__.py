"""Cell meetings (sinh hoạt chi bộ), their scoring, and the study of Party documents."""
