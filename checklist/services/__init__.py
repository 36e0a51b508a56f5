"""Writes: every change to the question bank and to screenings goes through these functions."""
