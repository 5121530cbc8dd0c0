"""The HTTP edge: the app, its dependencies and routes, probes, admin documents, schemas, errors,
middleware, security and observability."""
