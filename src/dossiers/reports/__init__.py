"""Overdue and upcoming reports that managers print: rows, then formats."""
