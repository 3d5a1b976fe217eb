CREATE TABLE "battle_answers" (
	"battle_id" integer NOT NULL,
	"position" integer NOT NULL,
	"user_id" integer NOT NULL,
	"response" jsonb,
	"correct" boolean NOT NULL,
	"points" integer NOT NULL,
	"elapsed_ms" integer NOT NULL,
	"answered_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "battle_answers_battle_id_position_user_id_pk" PRIMARY KEY("battle_id","position","user_id")
);
--> statement-breakpoint
ALTER TABLE "battle_queue" DROP CONSTRAINT "battle_queue_battle_id_battles_id_fk";
--> statement-breakpoint
ALTER TABLE "battle_players" ADD COLUMN "correct_ms" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "battle_players" ADD COLUMN "left_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "battle_queue" ADD COLUMN "seen_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "battle_answers" ADD CONSTRAINT "battle_answers_battle_id_battles_id_fk" FOREIGN KEY ("battle_id") REFERENCES "public"."battles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "battle_answers" ADD CONSTRAINT "battle_answers_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "battle_players_user_idx" ON "battle_players" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "battle_queue_size_idx" ON "battle_queue" USING btree ("size","enqueued_at");--> statement-breakpoint
CREATE INDEX "battles_running_idx" ON "battles" USING btree ("status");--> statement-breakpoint
ALTER TABLE "battle_queue" DROP COLUMN "battle_id";