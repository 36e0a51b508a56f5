"""Views of the clinician's workflow, one module per area (see urls.py for the map)."""
