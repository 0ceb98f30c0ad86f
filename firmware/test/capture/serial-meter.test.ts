import { LevelRecord } from '@earshot/shared';
import { SerialPortMock } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { SerialLineParser, checkPattern } from '../../src/capture/serial-line.ts';
import { SerialMeterSource, type OpenSerialPort } from '../../src/capture/serial-meter.ts';
import { levelCollector, until } from './helpers.ts';

// serialport (CommonJS) requires @serialport/binding-mock's CJS build; an ESM import of that package
// loads its separate ESM build with its own port table. SerialPortMock.binding is the instance it uses.
const MockBinding = SerialPortMock.binding;

const PATTERN = String.raw`LAeq=(?<LAeq>\d+\.\d)\s+LAFmax=(?<LAFmax>\d+\.\d)(?:\s+LCpeak=(?<LCpeak>\d+\.\d))?`;

/** Opens SerialPortMock ports and keeps them, so the test can push data into the latest one. */
function mockPorts(): { open: OpenSerialPort; ports: SerialPortMock[]; latest(): SerialPortMock } {
  const ports: SerialPortMock[] = [];
  return {
    ports,
    open: (path, baudRate) => {
      const p = new SerialPortMock({ path, baudRate, autoOpen: false });
      ports.push(p);
      return p;
    },
    latest: () => ports[ports.length - 1]!,
  };
}

describe('serial line parser', () => {
  it('turns named groups into level fields, the rest null, the interval ending at arrival', () => {
    const p = new SerialLineParser(PATTERN);
    const r = p.parse('LAeq=45.2  LAFmax=61.0\r', Date.parse('2026-06-01T22:00:01.000Z'));
    expect(r).toEqual({ ok: true, record: { t: '2026-06-01T22:00:00.000Z', d: 1, LAeq: 45.2, LCeq: null, LZeq: null, LAFmax: 61, LAFmin: null, LASmax: null, LCpeak: null } });
    if (r.ok && r.record !== null) expect(LevelRecord.safeParse(r.record).success).toBe(true);
    expect(p.parse('LAeq=45.2 LAFmax=61.0 LCpeak=88.8', 0)).toMatchObject({ ok: true, record: { LCpeak: 88.8 } });
    expect(p.parse('   ', 0)).toEqual({ ok: true, record: null });
    expect(p.parse('OVERLOAD', 0)).toMatchObject({ ok: false, error: { code: 'EARSHOT_E_SERIAL_LINE' } });
  });

  it('rejects patterns that are not regexes or name no level field', () => {
    expect(checkPattern('(?<LAeq>')).toMatch(/not a regular expression/);
    expect(checkPattern(String.raw`(\d+)`)).toMatch(/no named group/);
    expect(checkPattern(String.raw`(?<dBA>\d+)`)).toMatch(/names dBA/);
    expect(checkPattern(PATTERN)).toEqual(['LAeq', 'LAFmax', 'LCpeak']);
    expect(() => new SerialLineParser('(?<foo>x)')).toThrow(expect.objectContaining({ code: 'EARSHOT_E_CONFIG_INVALID' }));
  });
});

describe('serial sound level meter source (serialport MockBinding)', () => {
  afterEach(() => MockBinding.reset());

  it('reads records from lines split across reads, and reports a bad line as data', async () => {
    MockBinding.createPort('/dev/ttyUSB0', { echo: false, record: true });
    const m = mockPorts();
    const src = new SerialMeterSource({ path: '/dev/ttyUSB0', baudRate: 19200, pattern: PATTERN, openPort: m.open });
    const c = levelCollector();
    await src.start(c);
    await until(() => c.events.some((e) => e.type === 'started'));
    expect(m.latest().baudRate).toBe(19200);
    const port = m.latest().port!;
    port.emitData('LAeq=45.2 LAFmax=61.0\r\nLAeq=4');
    port.emitData('6.8 LAFmax=70.1 LCpeak=93.4\r\nGARBAGE\r\n');
    await until(() => c.records.length === 2 && c.events.some((e) => e.type === 'error'));
    expect(c.records.map((r) => [r.LAeq, r.LAFmax, r.LCpeak])).toEqual([[45.2, 61, null], [46.8, 70.1, 93.4]]);
    const err = c.events.find((e) => e.type === 'error');
    expect(err?.type === 'error' && err.error.code).toBe('EARSHOT_E_SERIAL_LINE');
    expect(src.unparsedLines).toBe(1);
    await src.stop();
    expect(m.latest().isOpen).toBe(false);
  });

  it('reopens the port with backoff when the meter goes away, and reports it', async () => {
    MockBinding.createPort('/dev/ttyUSB0', { echo: false, record: true });
    const m = mockPorts();
    const src = new SerialMeterSource({ path: '/dev/ttyUSB0', pattern: PATTERN, openPort: m.open, backoff: { initialMs: 10 } });
    const c = levelCollector();
    await src.start(c);
    await until(() => m.latest().isOpen);
    m.latest().close();
    await until(() => m.ports.length === 2 && m.latest().isOpen);
    m.latest().port!.emitData('LAeq=50.0 LAFmax=55.5\n');
    await until(() => c.records.length === 1);
    const restart = c.events.find((e) => e.type === 'restarting');
    expect(restart?.type === 'restarting' && restart.error.code).toBe('EARSHOT_E_SERIAL_PORT');
    expect(src.health()).toMatchObject({ source: 'serial:/dev/ttyUSB0', restarts: 1 });
    await src.stop();
  });

  it('reports a port that does not exist, and keeps trying', async () => {
    const m = mockPorts();
    const src = new SerialMeterSource({ path: '/dev/ttyACM7', pattern: PATTERN, openPort: m.open, backoff: { initialMs: 10 } });
    const c = levelCollector();
    await src.start(c);
    await until(() => c.events.filter((e) => e.type === 'restarting').length >= 2);
    await src.stop();
    expect(src.health().lastError).toMatch(/EARSHOT_E_SERIAL_PORT: .*cannot open \/dev\/ttyACM7/);
  });
});
