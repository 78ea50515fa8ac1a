"""Daily reminders: which steps to remind whom of (pure), and the digests that carry them."""
