"""Persistence: checkpoint shapes, the saver interface, the serializer and the savers."""
