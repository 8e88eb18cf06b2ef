"""Every operation that reads or writes the database; views and commands call these."""
