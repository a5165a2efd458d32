"""Thin wrappers over the services' gRPC stubs: the only BFF modules that import generated code."""
