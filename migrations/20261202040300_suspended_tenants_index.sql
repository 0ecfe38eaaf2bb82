-- Up Migration

-- Workers read the suspended stores on every refresh of their skip list; few are suspended at a time.
CREATE INDEX tenants_suspended ON tenants (id) WHERE status = 'suspended';

-- Down Migration

DROP INDEX tenants_suspended;
