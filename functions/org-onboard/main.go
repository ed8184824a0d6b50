// Command org-onboard is the Lambda function of the portal route "org-onboard".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("org-onboard") }
