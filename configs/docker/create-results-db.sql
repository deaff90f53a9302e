-- The results database lives beside Dagster's own storage on the same server.
CREATE DATABASE results OWNER dagster;
