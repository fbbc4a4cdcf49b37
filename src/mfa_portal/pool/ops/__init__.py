"""One thin handler per Cognito operation, marked with its name; ``pool.operations`` lists the modules."""
