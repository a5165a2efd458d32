"""The refund domain: pure Python, standard library only, no I/O."""
