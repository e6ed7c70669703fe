"""What to fetch and how to read it: the catalog (data), the one network gate, one parser per kind."""
