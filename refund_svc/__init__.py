"""refund_svc: refunds of shop order items, checked against what the shop says was paid.

Layers (Clean Architecture): domain/ (pure rules), application/ (use cases and ports),
infrastructure/ (SQLite, the shop adapter), presentation/ (the gRPC servicer).
"""
