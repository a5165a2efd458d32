"""The support-case domain: pure Python, standard library only, no I/O."""
