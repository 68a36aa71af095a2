"""Annotator work: tokens, claiming tasks from the family queues, heartbeats, submissions, gold tasks."""
