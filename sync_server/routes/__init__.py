"""HTTP routes, one module per resource. A handler parses, calls the core, the storage, responds."""
