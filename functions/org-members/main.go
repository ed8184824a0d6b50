// Command org-members is the Lambda function of the portal route "org-members".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("org-members") }
