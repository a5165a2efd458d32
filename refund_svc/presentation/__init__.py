"""The gRPC face of refund_svc: servicer, validation, proto<->domain mappers, error table."""
