// Command org-offboard is the Lambda function of the portal route "org-offboard".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("org-offboard") }
