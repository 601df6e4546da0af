"""Services between the interfaces (CLI, web, reports) and the pure core model."""
