ALTER TABLE "profiles" ADD COLUMN "trusted_traits" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "sources" ADD COLUMN "trust" text DEFAULT 'client' NOT NULL;--> statement-breakpoint
-- Backends and store counters were trusted before sources had a trust level: they stay so. Browser and app keys become client.
UPDATE "sources" SET "trust" = 'server' WHERE "channel" IN ('server', 'pos');
