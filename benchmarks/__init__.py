"""Scale runs with their own data generator (never part of the test run)."""
