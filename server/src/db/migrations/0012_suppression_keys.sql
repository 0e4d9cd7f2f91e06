ALTER TABLE "suppressions" ADD COLUMN "scheme" text DEFAULT 'sha256' NOT NULL;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "suppression_key" text DEFAULT encode(sha256((gen_random_uuid()::text || gen_random_uuid()::text)::bytea), 'hex') NOT NULL;--> statement-breakpoint
CREATE INDEX "suppressions_unkeyed" ON "suppressions" USING btree ("workspace_id") WHERE scheme = 'sha256';