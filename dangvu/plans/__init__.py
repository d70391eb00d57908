"""Plans: a plan document → targets bound to indicators and tasks with deadlines → dashboard, report."""
