"""Views (routes) of the staff web application, one module per area of the user interface."""
