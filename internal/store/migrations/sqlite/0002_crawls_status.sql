-- Lists running crawls for the global indicator without scanning.
CREATE INDEX crawls_status ON crawls (status);
