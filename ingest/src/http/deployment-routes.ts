/**
 * Deployments from the case page (issue 12): start one with a free monitor, its
 * audio mode and position; end it. The calibration is the monitor's own signed
 * check (cases/monitor-calibrations.ts); nothing typed here stands for it.
 */
import type { FastifyInstance } from 'fastify';
import { EarshotError } from '@earshot/shared';
import { endDeploymentSteps, startDeploymentSteps } from '../cases/deployments.ts';
import { get } from '../storage/record/steps.ts';
import { requireUser } from './auth.ts';
import { type RouteContext, requireVisibleCase, requireWritable } from './context.ts';
import { CaseParams } from './schemas.ts';
import { DeploymentParams, EndDeploymentBody, StartDeploymentBody } from './write-schemas.ts';
import { parseRequest } from './validate.ts';

export function deploymentRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.post('/api/cases/:ref/deployments', async (request, reply) => {
    const user = await requireUser(ctx.users, request);
    const { ref } = parseRequest(CaseParams, request.params, 'path');
    const b = parseRequest(StartDeploymentBody, request.body, 'body');
    requireWritable(ctx);
    await requireVisibleCase(ctx, user, ref);
    const device = ctx.registry?.get(b.deviceId) ?? null;
    if (ctx.registry !== null && device === null) throw new EarshotError('EARSHOT_E_DEVICE_UNKNOWN', b.deviceId);
    if (device !== null && !device.enabled) throw new EarshotError('EARSHOT_E_DEVICE_DISABLED', b.deviceId);
    const d = await ctx.record.write(startDeploymentSteps({
      caseRef: ref, deviceId: b.deviceId, installedBy: user.displayName, audioMode: b.audioMode,
      ...(b.installedAt === undefined ? {} : { installedAt: b.installedAt }), ...(b.equipment === undefined ? {} : { equipment: b.equipment }),
    }, ctx.now()));
    ctx.onDeploymentsChanged();
    return reply.code(201).send({ deploymentId: d.id, deviceId: d.deviceId, installedAt: d.installedAt, audioMode: d.audioMode });
  });

  app.post('/api/cases/:ref/deployments/:id/end', async (request) => {
    const user = await requireUser(ctx.users, request);
    const { ref, id } = parseRequest(DeploymentParams, request.params, 'path');
    const b = parseRequest(EndDeploymentBody, request.body ?? {}, 'body');
    requireWritable(ctx);
    await requireVisibleCase(ctx, user, ref);
    const owner = await ctx.record.read(get<{ case_ref: string }>('SELECT case_ref FROM deployments WHERE id = ?', id));
    if (owner === undefined || owner.case_ref !== ref) throw new EarshotError('EARSHOT_E_DEPLOYMENT_NOT_FOUND', `${id} on ${ref}`);
    const d = await ctx.record.write(endDeploymentSteps({ deploymentId: id, removedBy: user.displayName, ...(b.removedAt === undefined ? {} : { removedAt: b.removedAt }) }, ctx.now()));
    ctx.onDeploymentsChanged();
    return { deploymentId: d.id, removedAt: d.removedAt, driftDb: d.driftDb };
  });
}
