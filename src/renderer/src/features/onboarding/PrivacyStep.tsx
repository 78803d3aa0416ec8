/** Step 2: what mining does and what stays private, in plain words. */
export function PrivacyStep() {
  return (
    <div className="onboarding-step">
      <h2>What mining does</h2>
      <p>
        While your PC is idle, it runs text jobs for the AI Power Grid and earns rewards for each one. The job prompts come from other
        people: GridForge never stores them or shows them, it keeps only the job&apos;s size, time and reward. Your own chats never leave
        this PC. Mining pauses as soon as you use the PC or chat with the local model, and picks up again afterwards.
      </p>
    </div>
  )
}
