/**
 * Administration in the browser (issue 12), for admin accounts only: users
 * (add, disable or enable, reset password) and devices (add, with the
 * provisioning details to download and as a QR code; disable, enable).
 *
 * The QR code is drawn by the `qrcode` package (ISO/IEC 18004 encoder, MIT,
 * no native code, maintained since 2012 and used widely): writing a QR encoder
 * (Reed–Solomon, masking, version selection) by hand is long and easy to get
 * subtly wrong. It is made here as SVG and shown as an image (CSP img-src data:).
 */
import { EarshotError, type ProvisioningDetails } from '@earshot/shared';
import type { FastifyInstance } from 'fastify';
import QRCode from 'qrcode';
import { monitorHealthSteps } from '../dashboard/index.ts';
import { requireUser } from './auth.ts';
import { type RouteContext, requireAdmin } from './context.ts';
import { DeviceParams, EnabledBody, NewDeviceBody, NewUserBody, PasswordBody, UserParams } from './write-schemas.ts';
import { parseRequest } from './validate.ts';

export function adminRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const admin = async (request: Parameters<typeof requireUser>[1]) => {
    const user = await requireUser(ctx.users, request);
    requireAdmin(user);
    return user;
  };
  const registry = () => {
    if (ctx.registry === null) throw new EarshotError('EARSHOT_E_INTERNAL', 'this service was started without its devices');
    return ctx.registry;
  };
  const devices = () => {
    if (ctx.devices === null) throw new EarshotError('EARSHOT_E_INTERNAL', 'this service was started without device administration');
    return ctx.devices;
  };

  app.get('/api/admin/users', async (request) => {
    await admin(request);
    return { users: await ctx.users.accounts() };
  });
  app.post('/api/admin/users', async (request, reply) => {
    await admin(request);
    const b = parseRequest(NewUserBody, request.body, 'body');
    const u = await ctx.users.add(b);
    return reply.code(201).send(u);
  });
  app.post('/api/admin/users/:username/enabled', async (request) => {
    const me = await admin(request);
    const { username } = parseRequest(UserParams, request.params, 'path');
    const { enabled } = parseRequest(EnabledBody, request.body, 'body');
    if (!enabled && username === me.username) throw new EarshotError('EARSHOT_E_USER_INVALID', 'you cannot disable your own account');
    await ctx.users.setEnabled(username, enabled);
    return { username, enabled };
  });
  app.post('/api/admin/users/:username/password', async (request) => {
    await admin(request);
    const { username } = parseRequest(UserParams, request.params, 'path');
    const { password } = parseRequest(PasswordBody, request.body, 'body');
    await ctx.users.resetPassword(username, password);
    return { username };
  });

  app.get('/api/admin/devices', async (request) => {
    await admin(request);
    const byId = new Map((await ctx.record.read(monitorHealthSteps(ctx.now()))).map((h) => [h.deviceId, h]));
    return { devices: registry().list().map((d) => ({ deviceId: d.id, enabled: d.enabled, keyPinned: d.publicKeyPem !== null, addedAt: new Date(d.createdAt).toISOString(), health: byId.get(d.id) ?? null })) };
  });
  app.post('/api/admin/devices', async (request, reply) => {
    await admin(request);
    const { deviceId } = parseRequest(NewDeviceBody, request.body, 'body');
    if (ctx.provisioning === null) throw new EarshotError('EARSHOT_E_INTERNAL', 'this service was started without provisioning details');
    const p = await devices().add(deviceId, ctx.now());
    const details: ProvisioningDetails = { v: 1, deviceId: p.deviceId, secret: p.secret, ...ctx.provisioning };
    const text = JSON.stringify(details);
    // Error correction M (ISO/IEC 18004: ~15 % of the symbol may be damaged and still read).
    const qrSvg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
    return reply.code(201).send({ deviceId: p.deviceId, details: text, qrSvg });
  });
  app.post('/api/admin/devices/:id/enabled', async (request) => {
    await admin(request);
    const { id } = parseRequest(DeviceParams, request.params, 'path');
    const { enabled } = parseRequest(EnabledBody, request.body, 'body');
    await devices().setEnabled(id, enabled, ctx.now());
    return { deviceId: id, enabled };
  });
}
