import { describe, expect, it } from 'vitest';
import { applyTransform, nameOfNvr, nameOfRpmFilename, packageOfDistGitPath } from './transforms.js';

describe(nameOfNvr, () => {
  it.each([
    ['python-josepy-1.1.0-1.fc28', 'python-josepy'],
    ['linux-firmware-20150521-53.git3161bfa4.fc22', 'linux-firmware'],
    ['kernel-0:6.5.6-300.fc39', 'kernel'],
    ['foo', 'foo'],
  ])('%s → %s', (nvr, name) => expect(nameOfNvr(nvr)).toBe(name));
});

describe(nameOfRpmFilename, () => {
  it('should drop arch and .rpm, then version and release', () => {
    expect(nameOfRpmFilename('gstreamer1-plugins-base-devel-1.4.5-1.fc21.i686.rpm')).toBe('gstreamer1-plugins-base-devel');
  });
});

describe(packageOfDistGitPath, () => {
  it.each([
    ['rpms/valgrind', 'valgrind'],
    ['/srv/git/repositories/rpms/valgrind.git', 'valgrind'],
    ['valgrind', 'valgrind'],
    ['modules/django', undefined],
    ['forks/ralph/rpms/valgrind', undefined],
  ])('%s → %s', (path, name) => expect(packageOfDistGitPath(path)).toBe(name));
});

describe(applyTransform, () => {
  const identities = { threebean: 'ralph', 'rbean@redhat.com': 'ralph' };
  it('should find people in the forms Fedora writes them', () => {
    expect(applyTransform('account', 'http://pingou.id.fedoraproject.org/', identities)).toEqual(['pingou']);
    expect(applyTransform('account', 'olasd@debian.org', identities)).toEqual([]);
    expect(applyTransform('email', 'olasd@debian.org', identities)).toEqual(['olasd@debian.org']);
    expect(applyTransform('mail-address', '"Ralph Bean" <rbean@redhat.com>', identities)).toEqual(['ralph']);
    expect(applyTransform('nick', 'threebean', identities)).toEqual(['ralph']);
    expect(applyTransform('owner', '@python/python26', identities)).toEqual([]);
    expect(applyTransform('owner', 'ralph/stuff', identities)).toEqual(['ralph']);
    expect(applyTransform('mentions', 'thanks @a and @b_c!', identities)).toEqual(['a', 'b_c']);
  });
});
