"""The backend-for-frontend: browser sessions, role rules, composition of screens, gRPC to the services."""
