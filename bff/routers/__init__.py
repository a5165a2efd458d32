"""HTTP routes: thin; rules live in deps, composition in the clients and lookups."""
