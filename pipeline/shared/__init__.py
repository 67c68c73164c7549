"""What every stage shares: the column contract, taxonomy, agencies, settings, table files."""
