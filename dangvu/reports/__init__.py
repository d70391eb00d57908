"""Document writers (DOCX / XLSX): they read services and querysets, never write."""
