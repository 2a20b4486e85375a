import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalProvince, regionOfProvince } from '../../../src/domain/routing/regions';

describe('region table', () => {
  it('East China is Shanghai, Jiangsu, Zhejiang, Anhui, Fujian, Jiangxi and Shandong, in Chinese or English', () => {
    for (const province of [
      '上海',
      '江苏',
      '浙江',
      '安徽',
      '福建',
      '江西',
      '山东',
      'Shanghai',
      'Jiangsu',
      'Zhejiang',
      'Anhui',
      'Fujian',
      'Jiangxi',
      'Shandong',
    ]) {
      assert.equal(regionOfProvince(province), 'east', province);
    }
  });

  it('administrative suffixes and casing do not matter', () => {
    assert.equal(regionOfProvince('上海市'), 'east');
    assert.equal(regionOfProvince('广西壮族自治区'), 'south');
    assert.equal(regionOfProvince('shandong province'), 'east');
    assert.equal(regionOfProvince('Inner-Mongolia'), 'north');
    assert.equal(canonicalProvince('Zhejiang'), '浙江');
  });

  it('Shanxi and Shaanxi are different regions', () => {
    assert.equal(regionOfProvince('Shanxi'), 'north');
    assert.equal(regionOfProvince('Shaanxi'), 'northwest');
  });

  it('an unknown province has no region', () => {
    assert.equal(regionOfProvince('Atlantis'), undefined);
  });
});
