import { doctor, renderDoctor, TARGET_CONTAINERS } from '../../engine/doctor/doctor.js';
import { LinuxHost } from '../../engine/host/linux-host.js';
import { fail } from '../args.js';
import type { Subcommand } from '../subcommand.js';

export const command: Subcommand = {
  name: 'doctor',
  options: ['--fix'],
  usage: 'doctor [--fix]',
  summary: 'check the kernel limits thousands of containers need; --fix raises low sysctls',
  async run(_args, rest) {
    if (rest.some((a) => a !== '--fix')) fail('usage: nanomega doctor [--fix]');
    const fix = rest.includes('--fix');
    const rows = await doctor(new LinuxHost(), { fix });
    process.stdout.write(renderDoctor(rows) + '\n');
    const low = rows.filter((r) => r.status === 'low').length;
    const failed = rows.filter((r) => r.status === 'fail').length;
    if (low) {
      const hint = fix ? '' : '; sudo nanomega doctor --fix raises the sysctls';
      process.stdout.write(`${low} below what ${TARGET_CONTAINERS} containers need${hint}\n`);
    }
    if (failed) process.stdout.write(`${failed} failed: see their notes\n`);
    return low || failed ? 1 : 0;
  },
};
