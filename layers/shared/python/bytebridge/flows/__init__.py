"""Task flows: the graph each item of a project walks (model), its rules, routing and templates."""
