// electron-builder hooks (electron-builder.yml: beforePack, afterPack): they refuse a package for which
// scripts/packaging/packageChecks.js finds a problem, so a broken installer is never written.
import builderUtil from 'builder-util'
import { nativeAddonProblems, packagedAppProblems } from './packageChecks.js'

function refuse(problems) {
  if (problems.length > 0) throw new Error(problems.join(' '))
}

/** @param {import('app-builder-lib').BeforePackContext} context */
export async function beforePack(context) {
  refuse(
    nativeAddonProblems({
      root: context.packager.projectDir,
      platform: context.electronPlatformName,
      arch: builderUtil.Arch[context.arch],
      electronVersion: context.packager.info.framework.version,
    }),
  )
}

/** @param {import('app-builder-lib').AfterPackContext} context */
export async function afterPack(context) {
  refuse(
    packagedAppProblems({
      resourcesDir: context.packager.getResourcesDir(context.appOutDir),
      platform: context.electronPlatformName,
      arch: builderUtil.Arch[context.arch],
    }),
  )
}
