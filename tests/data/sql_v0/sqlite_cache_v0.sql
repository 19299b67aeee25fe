BEGIN TRANSACTION;
CREATE TABLE cache_entries (
        ns BLOB NOT NULL,        -- the namespace, as the serializer encodes a list of str
        key TEXT NOT NULL,
        expires_at REAL,         -- epoch seconds, NULL for never
        encoding TEXT NOT NULL,
        value BLOB NOT NULL,
        PRIMARY KEY (ns, key)
    );
INSERT INTO "cache_entries" VALUES(X'92A46E6F6465A27631','k1',NULL,'msgpack',X'82A6616E737765722AA17493D40D010102');
INSERT INTO "cache_entries" VALUES(X'92A46E6F6465A3612C62','k2',1800000060.0,'msgpack',X'A474657874');
CREATE TABLE cache_migrations (v INTEGER PRIMARY KEY);
INSERT INTO "cache_migrations" VALUES(0);
COMMIT;
