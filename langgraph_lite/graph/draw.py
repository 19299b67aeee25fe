"""Pictures of a compiled graph: ``get_graph().draw_mermaid()`` and ``draw_ascii()``."""
