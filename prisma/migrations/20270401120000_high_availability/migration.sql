-- CreateTable
CREATE TABLE "LeaderLease" (
    "domain" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "epoch" BIGINT NOT NULL,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "renewedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "LeaderLease_pkey" PRIMARY KEY ("domain")
);

-- AlterTable
ALTER TABLE "JournalMark" ADD COLUMN "reservedThrough" BIGINT NOT NULL DEFAULT 0;
