"""A stand-in for the shop's order API (acme.shop.v1.OrderService) with seeded demo data.

The real shop is upstream and owned by someone else; this server lets the system run on its own.
"""
