import { Module } from '@nestjs/common';
import { CampaignsController } from './campaigns.controller';
import { ConsistentReads } from './consistent-reads';
import { ParticipantsController } from './participants.controller';
import { ProjectionsStatusController } from './projections-status.controller';
import { ReferralsByDayController } from './referrals-by-day.controller';
import { ReferralsController } from './referrals.controller';
import { ReviewRequestsController } from './review-requests.controller';

@Module({
  controllers: [
    ParticipantsController,
    CampaignsController,
    ReferralsByDayController,
    ReferralsController,
    ReviewRequestsController,
    ProjectionsStatusController,
  ],
  /** The audit routes read through the same path. */
  providers: [ConsistentReads],
  exports: [ConsistentReads],
})
export class QueriesModule {}
