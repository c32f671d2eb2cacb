"""Connectors that fetch source extracts from outside and drop them in the inbox."""
