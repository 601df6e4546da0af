"""Views of the Kwaliteitskompas workspace, split by concern."""
