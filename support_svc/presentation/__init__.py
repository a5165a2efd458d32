"""The gRPC face of the support-case context: servicer, validation, mappers, error mapping."""
