"""Routers, one module per area of the HTTP surface."""
