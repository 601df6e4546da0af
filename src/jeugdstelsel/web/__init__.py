"""Django web application: dashboard, scenario lab, Kwaliteitskompas, REST API."""
