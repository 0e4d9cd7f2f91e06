-- Profiles are always read within a workspace: key them by (workspace_id, id).
ALTER TABLE "profiles" DROP CONSTRAINT "profiles_pkey";--> statement-breakpoint
ALTER TABLE "profiles" ADD CONSTRAINT "profiles_workspace_id_id_pk" PRIMARY KEY("workspace_id","id");
