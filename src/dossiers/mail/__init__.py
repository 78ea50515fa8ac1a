"""Email: digests rendered from templates, and the transports that deliver them."""
