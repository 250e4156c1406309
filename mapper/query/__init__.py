"""The read side: filters composed per concern, public report queries. Never writes."""
